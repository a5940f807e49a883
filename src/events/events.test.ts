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
