// `descent models`: the prebuilt models, one line each.
import { EXIT } from '../errors.js';
import type { CommandArgs, Io } from '../io.js';
import { listModels, modelsDir } from '../model.js';

export async function modelsCommand(a: CommandArgs, io: Io): Promise<number> {
  const models = listModels();
  if (a.flags.json) {
    io.stdout(`${JSON.stringify({ dir: modelsDir(), models }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (models.length === 0) {
    io.stdout(`No prebuilt models found in ${modelsDir()}.\n`);
    return EXIT.ok;
  }
  const w = Math.max(...models.map((m) => m.name.length));
  const lines = models.map((m) => `${m.name.padEnd(w)}  ${m.summary}`.trimEnd());
  lines.push('', `Run one with \`descent run NAME\`; read one in ${modelsDir()}NAME.loss.`);
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
