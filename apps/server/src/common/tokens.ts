// Injection tokens of the ports the server wires (the engine's facades are provided under their classes).
export const CONFIG = Symbol('CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CLOCK = Symbol('CLOCK');
export const LOGGER = Symbol('LOGGER');
