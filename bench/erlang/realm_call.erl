%% realm_call: twin of bench/realm_call.lona. A gen_server runs on a peer
%% node (Erlang distribution, loopback); a process on this node makes N
%% gen_server:call(S, ping) round trips to it (default timeout 5000, as
%% Lonala's call), each answered pong; per_op = one call round trip.
%%
%%   erlc realm_common.erl realm_call.erl
%%   erl -noshell -eval 'realm_call:run(100000), init:stop().'
-module(realm_call).
-behaviour(gen_server).
-export([run/0, run/1, serve/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

run() -> run(100000).

run(N) -> realm_common:run(realm_call, fun() -> bench(N) end).

init([]) -> {ok, 0}.

handle_call(ping, _From, State) -> {reply, pong, State};
handle_call(stop, _From, State) -> {stop, normal, ok, State}.

handle_cast(_Msg, State) -> {noreply, State}.

handle_info(_Msg, State) -> {noreply, State}.

%% Spawned on the peer node: starts the server there and sends its pid home
%% (the starting process then ends; the server is not linked to it).
serve(To) ->
    case gen_server:start(?MODULE, [], []) of
        {ok, Pid} -> To ! {server, Pid};
        Other -> To ! {failed, Other}
    end.

calls(_, 0) -> ok;
calls(S, N) -> pong = gen_server:call(S, ping), calls(S, N - 1).

bench(N) ->
    {Peer, Node} = realm_common:start_peer(),
    spawn(Node, ?MODULE, serve, [self()]),
    S = receive
            {server, P} -> P;
            {failed, Why} -> exit({server_start_failed, Why})
        end,
    calls(S, 100),                              % warm-up
    T0 = erlang:monotonic_time(nanosecond),
    calls(S, N),
    T1 = erlang:monotonic_time(nanosecond),
    ok = gen_server:call(S, stop),
    realm_common:stop_peer(Peer),
    Ns = T1 - T0,
    F = fun realm_common:fmt/1,
    io:format("name=realm_call n=~b total_ms=~s per_op_ns=~s unit=call_round_trip~n",
              [N, F(Ns / 1.0e6), F(Ns / N)]).
