/**
 * The recorder: the only writer of task, step, model-call and approval rows. It
 * consumes each task's event stream (see recorder.ts); readers use the store directly.
 */
export { Recorder, STEP_OUTPUT_LIMIT, TaskStream } from "./recorder.js";
