export declare const canLeash: boolean;
export declare function leash(command: string, args: readonly string[], signal?: string): [string, string[]];
