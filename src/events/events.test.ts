import { describe, expect, it } from "vitest";
import { EventBus, type HobEvent } from "./index.js";

describe("EventBus", () => {
  it("fans events out to every listener until it unsubscribes", () => {
    const bus = new EventBus();
    const a: HobEvent[] = [];
    const b: HobEvent[] = [];
    const offA = bus.on((e) => a.push(e));
    bus.on((e) => b.push(e));
    const event: HobEvent = { type: "text-delta", task_id: "t", seq: 1, at: 0, text: "hi" };
    bus.emit(event);
    offA();
    bus.emit(event);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
  });
});

describe("EventBus replay and failing listeners", () => {
  const event = (seq: number, task = "t"): HobEvent => ({ type: "text-delta", task_id: task, seq, at: 0, text: "x" });

  it("replays a task's events after a sequence number, and forgets the oldest tasks first", () => {
    const bus = new EventBus({ keepTasks: 2, keepEventsPerTask: 3 });
    for (const seq of [1, 2, 3, 4]) bus.emit(event(seq, "a"));
    expect(bus.since("a", 0).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(bus.since("a", 3).map((e) => e.seq)).toEqual([4]);
    bus.emit(event(1, "b"));
    bus.emit(event(1, "c"));
    expect(bus.since("a", 0)).toEqual([]);
    expect(bus.since("c", 0)).toHaveLength(1);
  });

  it("reports a failing listener and still delivers to the others", () => {
    const failures: string[] = [];
    const bus = new EventBus({ onListenerError: (error) => failures.push(String(error)) });
    const heard: number[] = [];
    bus.on(() => {
      throw new Error("socket closed");
    });
    bus.on((e) => heard.push(e.seq));
    bus.emit(event(1));
    expect(heard).toEqual([1]);
    expect(failures).toEqual(["Error: socket closed"]);
  });
});
