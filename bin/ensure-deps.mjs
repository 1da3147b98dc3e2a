// Installs (npm install, which honours package-lock.json and keeps an existing node_modules; CI and Cloud Build
// use npm ci) the project's dependencies on first use (fresh clone) or when package-lock.json changed since
// the last install, so `npm start`, `npm test` and `npm run bench` work with no manual step.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.fusion-risk-lock-hash');
const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');

if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
  process.stderr.write('fusion-risk: installing dependencies from package-lock.json (npm install)...\n');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, hash);
}
