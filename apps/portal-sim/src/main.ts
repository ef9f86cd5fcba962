// Starts the portal simulator standalone and prints its URL and seed:
//   node -r ./scripts/ts-run.js apps/portal-sim/src/main.ts [--port N] [--seed N] [--test-hooks]
import { startPortalSim } from './server';

interface CliArgs {
  port?: number;
  seed?: number;
  testHooks: boolean;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { testHooks: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--test-hooks') args.testHooks = true;
    else if (flag === '--port' || flag === '--seed') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a non-negative integer`);
      if (flag === '--port') args.port = value;
      else args.seed = value;
    } else throw new Error(`unknown argument ${flag}; usage: main.ts [--port N] [--seed N] [--test-hooks]`);
  }
  return args;
}

async function main(): Promise<void> {
  const sim = await startPortalSim(parseArgs(process.argv.slice(2)));
  console.log(`portal-sim listening on ${sim.url} (seed ${sim.seed})`);
  const stop = () => {
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
