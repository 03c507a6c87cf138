%% realm_idle_memory: twin of bench/realm_idle_memory.lona. N times: start
%% a peer node, spawn a process on it that answers and waits, pause 500 ms,
%% read the peer's resident set size (VmRSS of /proc/PID/status, PID its OS
%% pid) and stop it. rss_kb is the median over the N nodes; per_op = start
%% to first reply.
%%
%%   erlc realm_common.erl realm_idle_memory.erl
%%   erl -noshell -eval 'realm_idle_memory:run(5), init:stop().'
-module(realm_idle_memory).
-export([run/0, run/1, idle/1]).

run() -> run(5).

run(N) -> realm_common:run(realm_idle_memory, fun() -> bench(N) end).

idle(To) ->
    To ! {up, self()},
    receive stop -> ok end.

vm_rss_kb(OsPid) ->
    {ok, Bin} = file:read_file("/proc/" ++ OsPid ++ "/status"),
    [Line] = [L || L <- string:split(binary_to_list(Bin), "\n", all),
                   lists:prefix("VmRSS:", L)],
    [_, Kb | _] = string:lexemes(Line, " \t"),
    list_to_integer(Kb).

one() ->
    T0 = erlang:monotonic_time(nanosecond),
    {Peer, Node} = realm_common:start_peer(),
    P = spawn(Node, ?MODULE, idle, [self()]),
    T1 = receive {up, P} -> erlang:monotonic_time(nanosecond) end,
    OsPid = rpc:call(Node, os, getpid, []),
    timer:sleep(500),
    Kb = vm_rss_kb(OsPid),
    realm_common:stop_peer(Peer),
    {T1 - T0, Kb}.

loop(N, N, S, Rss) -> {S, Rss};
loop(I, N, S, Rss) ->
    {S1, Kb} = one(),
    loop(I + 1, N, S + S1, [Kb | Rss]).

bench(N) ->
    T0 = erlang:monotonic_time(nanosecond),
    {S, Rss} = loop(0, N, 0, []),
    T1 = erlang:monotonic_time(nanosecond),
    Sorted = lists:sort(Rss),
    F = fun realm_common:fmt/1,
    io:format("name=realm_idle_memory n=~b total_ms=~s per_op_ns=~s rss_kb=~b rss_kb_min=~b rss_kb_max=~b unit=create_to_reply~n",
              [N, F((T1 - T0) / 1.0e6), F(S / N), lists:nth((N + 1) div 2, Sorted),
               hd(Sorted), lists:last(Sorted)]).
