export function running(pid: number): boolean;

export function killTestProcess(options?: { signal?: NodeJS.Signals; env?: NodeJS.ProcessEnv }): Promise<{ parent: number; server: number; url: string; gone: boolean; answers: boolean }>;
