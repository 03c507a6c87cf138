%% realm_ping_pong: twin of bench/realm_ping_pong.lona. A process on this
%% node and one on a peer node (Erlang distribution, loopback) bounce
%% {ping, Pid} / {pong, Pid} N times; per_op = one round trip.
%%
%%   erlc realm_common.erl realm_ping_pong.erl
%%   erl -noshell -eval 'realm_ping_pong:run(100000), init:stop().'
-module(realm_ping_pong).
-export([run/0, run/1, pong/0]).

run() -> run(100000).

run(N) -> realm_common:run(realm_ping_pong, fun() -> bench(N) end).

pong() ->
    receive
        {ping, From} -> From ! {pong, self()}, pong();
        stop -> ok
    end.

ping(_, 0) -> ok;
ping(P, N) ->
    P ! {ping, self()},
    receive {pong, P} -> ping(P, N - 1) end.

bench(N) ->
    {Peer, Node} = realm_common:start_peer(),
    Ponger = spawn(Node, ?MODULE, pong, []),
    ping(Ponger, 100),                          % warm-up
    T0 = erlang:monotonic_time(nanosecond),
    ping(Ponger, N),
    T1 = erlang:monotonic_time(nanosecond),
    Ponger ! stop,
    realm_common:stop_peer(Peer),
    Ns = T1 - T0,
    F = fun realm_common:fmt/1,
    io:format("name=realm_ping_pong n=~b total_ms=~s per_op_ns=~s unit=round_trip~n",
              [N, F(Ns / 1.0e6), F(Ns / N)]).
