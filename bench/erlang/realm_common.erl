%% realm_common: helpers of the Erlang twins of the realm benchmarks
%% (bench/realm_*.lona). A child realm's twin is a peer node on this
%% machine, started with peer:start_link/1 (OTP 25+) or slave:start/2,
%% connected over Erlang distribution (TCP on loopback, epmd).
%%
%% The calling node must be distributed: each twin starts it with
%% net_kernel:start/1 if `erl -sname` was not given (that starts epmd).
-module(realm_common).
-compile({nowarn_deprecated_function, [{slave, start, 3}, {slave, stop, 1}]}).
-export([ensure_dist/0, start_peer/0, stop_peer/1, fmt/1, run/2]).

ensure_dist() ->
    case node() of
        nonode@nohost ->
            _ = os:cmd("epmd -daemon"),
            Name = list_to_atom("bench_" ++ os:getpid()),
            {ok, _} = net_kernel:start([Name, shortnames]),
            ok;
        _ -> ok
    end.

%% A peer node whose code path has the directory of this module, so that
%% the benchmark modules can be spawned there (a child realm gets its
%% parent's code from the code image).
start_peer() ->
    Dir = filename:dirname(code:which(?MODULE)),
    case erlang:function_exported(peer, start_link, 1) orelse
         code:ensure_loaded(peer) =:= {module, peer} of
        true ->
            {ok, Peer, Node} = peer:start_link(#{name => peer:random_name(),
                                                 args => ["-pa", Dir]}),
            {{peer, Peer}, Node};
        false ->
            Host = list_to_atom(lists:last(string:split(atom_to_list(node()), "@"))),
            Name = list_to_atom("peer" ++ integer_to_list(erlang:unique_integer([positive]))),
            {ok, Node} = slave:start(Host, Name, "-pa " ++ Dir),
            {{slave, Node}, Node}
    end.

stop_peer({peer, Peer}) -> peer:stop(Peer);
stop_peer({slave, Node}) -> slave:stop(Node).

fmt(V) when is_integer(V) -> integer_to_list(V);
fmt(V) when is_float(V) -> float_to_list(V, [{decimals, 3}, compact]);
fmt(V) when is_atom(V) -> atom_to_list(V).

%% Like bench:run/2: the body runs in a fresh process; a crash prints
%% name=<bench> error=<reason>.
run(Name, Body) ->
    ensure_dist(),
    Parent = self(),
    {Pid, MRef} = spawn_monitor(fun() -> Body(), Parent ! {bench_done, self()} end),
    receive
        {bench_done, Pid} -> erlang:demonitor(MRef, [flush]), ok;
        {'DOWN', MRef, process, Pid, Reason} ->
            io:format("name=~s error=~p~n", [Name, Reason])
    end.
