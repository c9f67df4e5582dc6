// gen graph: the topology as a diagram. Mermaid or DOT on stdout, or an
// SVG drawn by Graphviz `dot`.
import { spawnSync } from 'node:child_process';
import { Option, type Command } from 'commander';
import { cleanModel } from './model.js';

export function registerGraphCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('graph')
    .description('draw the topology: sites, hosts, bridges, interfaces, VLANs, the VPN and its peers, the VPC, services and allowed flows')
    .argument('[file]', 'topology file', 'topology.yaml')
    .addOption(new Option('--format <format>', 'mermaid, dot, or svg (needs Graphviz dot)').choices(['mermaid', 'dot', 'svg']).default('mermaid'))
    .option('-o, --output <file>', 'write to this file instead of stdout (not the topology, nor in out/ or the secrets directory)')
    .option('--force', 'replace an existing file')
    .action(async (file: string, options: { format: 'mermaid' | 'dot' | 'svg'; output?: string; force?: boolean }) => {
      const { checkOutputPath, outputRulesFor } = await import('../io/output-path.js');
      const rules = outputRulesFor(file, { force: options.force });
      if (options.output) checkOutputPath(options.output, rules);
      const model = await cleanModel(file, 'nothing was drawn');
      if (!model) {
        setExit(1);
        return;
      }
      const { buildGraph } = await import('../graph/build.js');
      const graph = buildGraph(model);
      let output: string;
      if (options.format === 'mermaid') {
        const { toMermaid } = await import('../graph/mermaid.js');
        output = toMermaid(graph);
      } else {
        const { toDot } = await import('../graph/dot.js');
        output = toDot(graph);
        if (options.format === 'svg') {
          const drawn = spawnSync('dot', ['-Tsvg'], { input: output, encoding: 'utf8' });
          if (drawn.error || drawn.status !== 0) {
            process.stderr.write(`gen: Graphviz dot failed${drawn.error ? ' (is it installed? apt-get install graphviz)' : `: ${drawn.stderr.trim()}`}\n`);
            setExit(1);
            return;
          }
          output = drawn.stdout;
        }
      }
      if (options.output) {
        const { writeFileAtomic } = await import('../io/atomic-write.js');
        writeFileAtomic(checkOutputPath(options.output, rules), output, 0o644);
      } else process.stdout.write(output);
      setExit(0);
    });
}
