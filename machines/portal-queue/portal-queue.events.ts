// Events of a portal's queue: an operator pauses it (the scheduler starts none of its jobs; the
// ones running finish) and resumes it. Commands only: the machine has no effects. `by` names
// who acted (the API or the inspector), `at` comes from the sender's clock.

/** Stop starting the portal's jobs; jobs already running finish. */
export type PauseQueue = { type: 'PAUSE'; by: string; at: string; reason?: string };

/** Start the portal's jobs again. */
export type ResumeQueue = { type: 'RESUME'; by: string; at: string };

export type PortalQueueEvent = PauseQueue | ResumeQueue;
