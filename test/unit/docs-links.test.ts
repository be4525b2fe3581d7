// The docs cite nothing that is not in the repository: every relative link
// in README.md, CONTRIBUTING.md and docs/*.md reaches a file (and a heading,
// for a #anchor, by GitHub's rules), and every `src/…`-like path in
// backticks exists. Code moves; this says which page to fix.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const pages = ['README.md', 'CONTRIBUTING.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The anchors GitHub makes of a page's headings. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inCode = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const m = inCode ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replaceAll(' ', '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

describe('the docs', () => {
  it.each(pages)('%s: every relative link and every path in backticks exists', (page) => {
    const text = readFileSync(path.join(root, page), 'utf8');
    const prose = text.replace(/```[\s\S]*?```/g, '');
    const problems: string[] = [];
    for (const m of prose.matchAll(/(?<!!)\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
      const [file = '', anchor] = target.split('#');
      const resolved = file ? path.normalize(path.join(path.dirname(page), file)) : page;
      if (!existsSync(path.join(root, resolved))) problems.push(`(${target}): ${resolved} does not exist`);
      else if (anchor && (!resolved.endsWith('.md') || !anchors(path.join(root, resolved)).has(anchor))) problems.push(`(${target}): no heading #${anchor}`);
    }
    for (const m of text.matchAll(/`((?:src|test|bench|screens|hooks|bin|docs)\/[^`\s]*)`/g)) {
      const cited = m[1]!.replace(/[.,)]+$/, '').replace(/\(.*$/, '');
      if (/[<*…{]/.test(cited)) continue; // a pattern, not a path
      if (!existsSync(path.join(root, cited))) problems.push(`\`${m[1]}\` is not in the repository`);
    }
    expect(problems).toEqual([]);
  });
});
