/**
 * Import direction, checked by `npm run lint` (dependency-cruiser). The library (shared/) is layered:
 * contracts and topology at the bottom, then ports and the pure domain, then use cases, then platform runtimes
 * and adapters at the edge. Function wirings (functions/), the local stack, the CLI, operators' commands (ops/),
 * benchmarks and tests sit on
 * top of it; nothing below imports anything above.
 */
const ABOVE_THE_LIBRARY = '^(functions/|local-stack/|cli/|bench/|ops/|test/|bin/)';

module.exports = {
  forbidden: [
    {
      name: 'library-imports-no-app',
      comment:
        'shared/ is the library: it never imports a function wiring, the local stack, the CLI, benchmarks or tests.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ABOVE_THE_LIBRARY },
    },
    {
      name: 'domain-imports-only-domain-ports-contracts',
      comment:
        'Domain code is pure: it imports the domain, ports, contracts and the topology (and listed pure data), no library or SDK.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: {
        // Pure data the domain computes with: Unicode's UTS #39 confusables table (name screening).
        pathNot:
          '^(shared/(domain|ports|contracts|topology)/|schemas/|node_modules/unhomoglyph/data\\.json$)',
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'use-cases-import-no-adapters',
      comment: 'Use cases receive ports; adapters are chosen by the function wiring.',
      severity: 'error',
      from: { path: '^shared/use-cases/' },
      to: { path: '^shared/adapters/' },
    },
    {
      name: 'ports-are-interfaces',
      comment:
        'Ports describe what the domain needs; they import domain types and contracts, never implementations.',
      severity: 'error',
      from: { path: '^shared/ports/' },
      to: { path: '^shared/(adapters|platform|use-cases)/' },
    },
    {
      name: 'platform-imports-no-adapters',
      comment: 'Platform primitives, config readers and trigger runtimes sit below the adapters.',
      severity: 'error',
      from: { path: '^shared/platform/' },
      to: { path: '^shared/(adapters|use-cases)/' },
    },
    {
      name: 'contracts-import-only-contracts',
      comment: 'Contracts are the bottom layer: schemas, topology and their derivations.',
      severity: 'error',
      from: { path: '^shared/(contracts|topology)/' },
      to: { path: '^shared/(domain|ports|use-cases|adapters|platform)/' },
    },
    {
      name: 'deployed-code-imports-no-local-stack',
      comment: 'A deployed function bundle never carries the local stack, the CLI, benchmarks or tests.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(local-stack|cli|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
