// docs/keys.md is generated from the command catalogue and the screens: this
// fails when a key, its text or a screen changed and the file was not made
// again (`npm run docs:keys`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYS_DOC, renderKeysDoc } from '../../src/cli/keys-doc.js';
import { SCREEN_ORDER } from '../../screens/index.js';
import { bindingsFor } from '../../src/keys/commands.js';

describe('docs/keys.md', () => {
  it('is what the catalogue and the screens make now (npm run docs:keys writes it)', () => {
    expect(readFileSync(KEYS_DOC, 'utf8'), 'docs/keys.md is stale: run npm run docs:keys').toBe(renderKeysDoc());
  });

  it('has every screen with every key it offers, in its own words', () => {
    const doc = renderKeysDoc();
    for (const screen of SCREEN_ORDER) {
      expect(doc).toContain(`(\`${screen.id}\`)`);
      for (const b of bindingsFor(screen.keys)) expect(doc, `${b.command} on ${screen.id}`).toContain(b.text.replaceAll('|', '\\|'));
    }
  });

  it('refuses to leave out a command that no screen offers (a dead key)', () => {
    const without = SCREEN_ORDER.map((s) => ({ ...s, keys: s.id === 'learn' ? {} : s.keys }));
    expect(() => renderKeysDoc(without)).toThrow(/commands no screen offers: runStep/);
  });
});
