// The portal simulator's code adapter and its declarative twin (portals/portal-sim.yaml) held
// to the same conformance suite: a declarative file is a full adapter, not a subset.
import { resolve } from 'node:path';
import { describeAdapterConformance } from '../../test-support/adapter-conformance';
import { PortalSimAdapter } from '../portal-sim/portal-sim.adapter';
import { loadDeclarativePortal } from './load-portal-document';

// Real Chromium and the real simulator (jest's per-project testTimeout is not applied).
jest.setTimeout(240_000);

const SIM_YAML = resolve(__dirname, '../../../../portals/portal-sim.yaml');

describeAdapterConformance('PortalSimAdapter (code)', (baseUrl) => new PortalSimAdapter({ baseUrl }));
describeAdapterConformance('portals/portal-sim.yaml (declarative)', (baseUrl) => loadDeclarativePortal(SIM_YAML, { baseUrl }));
