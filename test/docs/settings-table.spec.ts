// README.md lists every setting from the schema; when a setting is added or changed and the table
// was not rewritten (`npm run docs:settings`), this fails and names the setting.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_KEYS, SETTINGS } from '../../apps/server/src/settings/settings-schema';
import { TABLE_END, TABLE_START, withCurrentSettingsTable } from '../../apps/server/src/settings/settings-table';

const file = join(__dirname, '..', '..', 'README.md');

describe('README.md settings table', () => {
  const document = readFileSync(file, 'utf8');
  const table = document.slice(document.indexOf(TABLE_START), document.indexOf(TABLE_END));

  it.each(SETTING_KEYS)('lists %s with its variable, rule and meaning (run `npm run docs:settings` after changing the schema)', (key) => {
    const def = SETTINGS[key];
    const row = table.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`\`${def.env}\``);
    expect(row).toContain(def.type.rule.replace(/\|/g, '\\|'));
  });

  it('holds nothing but what the generator writes between the markers', () => {
    expect(document.indexOf(TABLE_START)).toBeGreaterThan(0);
    expect(document).toBe(withCurrentSettingsTable(document));
  });
});
