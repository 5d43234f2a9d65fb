// Commands beyond `serve` (number import, …) register here.
import type { Command } from 'commander';
import { registerCallCommands } from './calls.ts';
import { registerGatewaysCommands } from './gateways.ts';
import { registerNumbersCommands } from './numbers-import.ts';
import { registerPhloCommands } from './phlo.ts';
import { registerTailCommand } from './tail.ts';

export function registerExtraCommands(program: Command): void {
  registerNumbersCommands(program);
  registerPhloCommands(program);
  registerGatewaysCommands(program);
  registerCallCommands(program);
  registerTailCommand(program);
}
