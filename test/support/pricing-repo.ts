/**
 * A tiny Python project with a real bug whose tests need two packages from a package index:
 * `tinymath` (requirements.txt) and `tinyassert` (the `test` dependency group of pyproject.toml).
 * The index (pypi-index.ts) serves wheels built from PRICING_WHEELS; nothing else is reachable.
 */
import { chownSync } from 'node:fs';
import { makeRepo } from './git-repo.ts';
import type { WheelSpec } from './pypi-index.ts';

export const PRICING_WHEELS: WheelSpec[] = [
  {
    name: 'tinymath',
    version: '1.0',
    files: { 'tinymath/__init__.py': 'def percent(value, pct):\n    return value * pct / 100\n' },
  },
  {
    name: 'tinyassert',
    version: '0.3',
    files: { 'tinyassert/__init__.py': 'def near(a, b, eps=1e-9):\n    return abs(a - b) <= eps\n' },
  },
];

export const PRICING_FILES: Record<string, string> = {
  'requirements.txt': 'tinymath>=1.0\n',
  'pyproject.toml': [
    '[tool.pytest.ini_options]',
    'testpaths = ["tests"]',
    'pythonpath = ["."]',
    '',
    '[dependency-groups]',
    'test = ["tinyassert"]',
    '',
  ].join('\n'),
  'pricing/__init__.py':
    'from tinymath import percent\n\n\ndef discounted(price, pct):\n    """The price after a discount of pct percent."""\n    return price + percent(price, pct)\n',
  'tests/test_pricing.py':
    'from tinyassert import near\n\nfrom pricing import discounted\n\n\ndef test_discount():\n    assert near(discounted(200, 10), 180)\n\n\ndef test_no_discount():\n    assert discounted(50, 0) == 50\n',
};

export const PRICING_ISSUE =
  'discounted() adds the discount\n\n`discounted(200, 10)` returns 220; a 10% discount should give 180.';

export const FIX_DISCOUNT = "sed -i 's/return price + percent/return price - percent/' pricing/__init__.py";

export function makePricingRepo(): string {
  const dir = makeRepo(PRICING_FILES, 'pricing');
  chownSync(dir, 1000, 1000);
  return dir;
}
