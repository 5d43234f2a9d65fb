// CPU time of this process's main thread alone, in ms: process.cpuUsage()
// counts every thread (worker threads too). Linux only (/proc, utime + stime
// in 10 ms ticks); NaN elsewhere. Plain JavaScript: the testing kit's bench
// also loads it in plain node child processes.
import fs from 'node:fs';

export function mainThreadCpuMs() {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
