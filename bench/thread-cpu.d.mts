/** CPU time of this process's main thread alone, in ms (Linux; NaN elsewhere). */
export function mainThreadCpuMs(): number;
