// The screen's device pixels per CSS pixel, followed as it changes while the page is open: browser zoom (Ctrl +)
// and a window dragged onto a monitor of another density change it without reloading.
import { useEffect, useState } from 'react';

const current = (): number => window.devicePixelRatio || 1;

export function useDevicePixelRatio(): number {
  const [ratio, setRatio] = useState(current);
  useEffect(() => {
    // Matches only at this ratio, so it fires once the ratio leaves it; the next ratio is then listened for.
    const query = window.matchMedia(`(resolution: ${ratio}dppx)`);
    const onChange = () => setRatio(current());
    query.addEventListener('change', onChange);
    // A change between the first render and this effect.
    if (current() !== ratio) onChange();
    return () => query.removeEventListener('change', onChange);
  }, [ratio]);
  return ratio;
}
