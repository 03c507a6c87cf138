%% realm_start: twin of bench/realm_start.lona. N times: start a peer node
%% on this machine, spawn a process on it that sends back, wait for its
%% message, stop the node. per_op = start to first reply.
%%
%%   erlc realm_common.erl realm_start.erl
%%   erl -noshell -eval 'realm_start:run(20), init:stop().'
-module(realm_start).
-export([run/0, run/1, hello/1]).

run() -> run(20).

run(N) -> realm_common:run(realm_start, fun() -> bench(N) end).

hello(To) -> To ! {hello, self()}.

one() ->
    T0 = erlang:monotonic_time(nanosecond),
    {Peer, Node} = realm_common:start_peer(),
    spawn(Node, ?MODULE, hello, [self()]),
    T1 = receive {hello, _} -> erlang:monotonic_time(nanosecond) end,
    realm_common:stop_peer(Peer),
    T2 = erlang:monotonic_time(nanosecond),
    {T1 - T0, T2 - T1}.

loop(N, N, S, T) -> {S, T};
loop(I, N, S, T) ->
    {S1, T1} = one(),
    loop(I + 1, N, S + S1, T + T1).

bench(N) ->
    T0 = erlang:monotonic_time(nanosecond),
    {S, T} = loop(0, N, 0, 0),
    T1 = erlang:monotonic_time(nanosecond),
    F = fun realm_common:fmt/1,
    io:format("name=realm_start n=~b total_ms=~s per_op_ns=~s start_ms=~s terminate_ms=~s unit=create_to_reply~n",
              [N, F((T1 - T0) / 1.0e6), F(S / N), F(S / N / 1.0e6), F(T / N / 1.0e6)]).
