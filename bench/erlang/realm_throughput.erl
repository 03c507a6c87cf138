%% realm_throughput: twin of bench/realm_throughput.lona. A process on this
%% node sends N small messages {msg, I} one way to a process on a peer node
%% (Erlang distribution, loopback), which counts them and answers once all
%% have arrived; per_op = time per message.
%%
%%   erlc realm_common.erl realm_throughput.erl
%%   erl -noshell -eval 'realm_throughput:run(1000000), init:stop().'
-module(realm_throughput).
-export([run/0, run/1, sink/2]).

run() -> run(1000000).

run(N) -> realm_common:run(realm_throughput, fun() -> bench(N) end).

sink(To, N) ->
    To ! {ready, self()},
    sink_loop(To, N).

sink_loop(To, 0) -> To ! {done, self()};
sink_loop(To, Left) -> receive {msg, _} -> sink_loop(To, Left - 1) end.

blast(_, N, N) -> ok;
blast(P, I, N) -> P ! {msg, I}, blast(P, I + 1, N).

bench(N) ->
    {Peer, Node} = realm_common:start_peer(),
    S = spawn(Node, ?MODULE, sink, [self(), N]),
    receive {ready, S} -> ok end,
    T0 = erlang:monotonic_time(nanosecond),
    blast(S, 0, N),
    T1 = erlang:monotonic_time(nanosecond),
    T2 = receive {done, S} -> erlang:monotonic_time(nanosecond) end,
    realm_common:stop_peer(Peer),
    Ns = T2 - T0,
    F = fun realm_common:fmt/1,
    io:format("name=realm_throughput n=~b total_ms=~s per_op_ns=~s msgs_per_s=~b send_ms=~s unit=message~n",
              [N, F(Ns / 1.0e6), F(Ns / N), N * 1000000000 div Ns, F((T1 - T0) / 1.0e6)]).
