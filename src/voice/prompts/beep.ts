import { beep } from '../../media/tones.ts';
import type { FrameRun } from '../../telephony/driver.ts';

/** The platform's beep (Wait, GetDigits playBeep), rendered once and shared. */
export const BEEP: FrameRun = { samples: beep(), annotation: { type: 'beep' } };
