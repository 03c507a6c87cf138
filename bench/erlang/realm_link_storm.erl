%% realm_link_storm: twin of bench/realm_link_storm.lona. A trap_exit
%% process on this node spawn_links N processes on a peer node (Erlang
%% distribution, loopback), each of which reports {ready, Pid} and waits in
%% receive; then it sends each go and each exits with reason crash. total =
%% from the first go until all N {'EXIT', Pid, crash} are received; per_op =
%% per link/exit. Secondary: spawn_link_ms (up to the last ready),
%% broadcast_ms, and kill_ms: N more linked processes, then peer:stop (the
%% node halts) until all N {'EXIT', Pid, noconnection} are received.
%%
%%   erlc realm_common.erl realm_link_storm.erl
%%   erl -noshell -eval 'realm_link_storm:run(10000), init:stop().'
-module(realm_link_storm).
-export([run/0, run/1, storm_child/1]).

run() -> run(10000).

run(N) -> realm_common:run(realm_link_storm, fun() -> bench(N) end).

storm_child(Root) ->
    Root ! {ready, self()},
    receive go -> exit(crash) end.

spawn_kids(_, 0, Acc) -> Acc;
spawn_kids(Node, N, Acc) ->
    spawn_kids(Node, N - 1, [spawn_link(Node, ?MODULE, storm_child, [self()]) | Acc]).

wait_ready(0) -> ok;
wait_ready(N) -> receive {ready, _} -> wait_ready(N - 1) end.

wait_exit(0, _) -> ok;
wait_exit(N, Why) -> receive {'EXIT', _, Why} -> wait_exit(N - 1, Why) end.

bench(N) ->
    process_flag(trap_exit, true),
    {Peer, Node} = realm_common:start_peer(),
    T0 = erlang:monotonic_time(nanosecond),
    Kids = lists:reverse(spawn_kids(Node, N, [])),   % in spawn order
    wait_ready(N),
    T1 = erlang:monotonic_time(nanosecond),
    [K ! go || K <- Kids],
    T2 = erlang:monotonic_time(nanosecond),
    wait_exit(N, crash),
    T3 = erlang:monotonic_time(nanosecond),
    %% the whole node ends: N more links fire with noconnection
    spawn_kids(Node, N, []),
    wait_ready(N),
    T4 = erlang:monotonic_time(nanosecond),
    realm_common:stop_peer(Peer),
    wait_exit(N, noconnection),
    T5 = erlang:monotonic_time(nanosecond),
    Ns = T3 - T1,
    F = fun realm_common:fmt/1,
    io:format("name=realm_link_storm n=~b total_ms=~s per_op_ns=~s spawn_link_ms=~s "
              "broadcast_ms=~s kill_ms=~s reason=crash unit=exit~n",
              [N, F(Ns / 1.0e6), F(Ns / N), F((T1 - T0) / 1.0e6), F((T2 - T1) / 1.0e6),
               F((T5 - T4) / 1.0e6)]).
