// Injection tokens of the ports the server wires.
export const CONFIG = Symbol('CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const LOGGER = Symbol('LOGGER');
export const ACTOR_HOST = Symbol('ACTOR_HOST');
export const MACHINES = Symbol('MACHINES');
