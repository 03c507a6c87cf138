%% loop: a tail-recursive loop doing N additions in one process (per_op =
%% one iteration). Twin of bench/loop.lona; prints the line format of
%% bench.erl:
%%
%%   name=loop n=<N> total_ms=<..> per_op_ns=<..> result=<..> unit=iteration
%%
%%   erlc loop.erl && erl -noshell -eval 'loop:run(100000000), init:stop().'
-module(loop).
-export([run/0, run/1, loop/2]).

run() -> run(100000000).

%% Like bench:run/2, the body runs in a fresh process.
run(N) ->
    Parent = self(),
    {Pid, MRef} = spawn_monitor(fun() -> bench(N), Parent ! {bench_done, self()} end),
    receive
        {bench_done, Pid} -> erlang:demonitor(MRef, [flush]), ok;
        {'DOWN', MRef, process, Pid, Reason} -> io:format("name=loop error=~p~n", [Reason])
    end.

bench(N) ->
    T0 = erlang:monotonic_time(nanosecond),
    R = loop(N, 0),
    T1 = erlang:monotonic_time(nanosecond),
    Ns = T1 - T0,
    io:format("name=loop n=~b total_ms=~s per_op_ns=~s result=~b unit=iteration~n",
              [N, fmt(Ns / 1.0e6), fmt(Ns / N), R]).

loop(0, Acc) -> Acc;
loop(N, Acc) -> loop(N - 1, Acc + N).

fmt(V) -> float_to_list(V, [{decimals, 3}, compact]).
