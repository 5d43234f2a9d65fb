// Commands beyond `serve` (number import, …) register here.
import type { Command } from 'commander';

export function registerExtraCommands(_program: Command): void {}
