// Test-only: makes transactions that write events commit late, to provoke the race that
// global positions must survive (a later position committing before an earlier one). A
// deferred constraint trigger runs at COMMIT, after the store has taken its positions and left
// its ordered section, which is exactly the window in which commits can overtake each other.
import { tamperPostgres } from './postgres-fixture';

/** Every writing transaction sleeps a random 0..maxMs at COMMIT (once per transaction). */
export function delayCommitsRandomly(url: string, maxMs: number): Promise<void> {
  return installCommitHook(
    url,
    `IF current_setting('test.commit_delayed', true) IS DISTINCT FROM 'yes' THEN
       PERFORM set_config('test.commit_delayed', 'yes', true);
       PERFORM pg_sleep(random() * ${maxMs / 1000});
     END IF;`,
  );
}

/**
 * A transaction writing to `stream` waits at COMMIT until nobody holds advisory lock `lock`
 * (the test holds it on its own connection), so the test decides when it commits.
 */
export function holdCommitsOf(url: string, stream: string, lock: number): Promise<void> {
  return installCommitHook(url, `IF NEW.stream = ${quote(stream)} THEN PERFORM pg_advisory_xact_lock_shared(${lock}); END IF;`);
}

async function installCommitHook(url: string, body: string): Promise<void> {
  await tamperPostgres(
    url,
    `CREATE OR REPLACE FUNCTION test_commit_hook() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} RETURN NULL; END $$;
     DROP TRIGGER IF EXISTS test_commit_hook ON events;
     CREATE CONSTRAINT TRIGGER test_commit_hook AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_commit_hook();`,
  );
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
