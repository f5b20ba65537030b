/**
 * The register's error tone: a cashier looking at the customer, not the screen, hears that a
 * scan did not go in. Web Audio, no sound file; where the webview has no audio it stays silent.
 */
let context: AudioContext | null = null;

/** A short low double beep, unlike any success sound. */
export function errorTone(): void {
  try {
    context ??= new AudioContext();
    const start = context.currentTime;
    for (const offset of [0, 0.18]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "square";
      oscillator.frequency.value = 220;
      gain.gain.value = 0.08;
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.12);
    }
  } catch {
    // No audio device or no Web Audio: the words next to the scan field still say it.
  }
}
