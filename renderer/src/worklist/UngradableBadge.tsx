// "ungradable" beside an image whose photograph cannot be measured (its latest prediction's verdict), in the
// worklist and the viewer's status bar: its measures are all withheld, so it should not pass for a measured image.
// The reason is the badge's tooltip and accessible description.
export function UngradableBadge({ reason }: { reason: string | null | undefined }) {
  if (!reason) return null;
  return (
    <span
      className="ungradable-badge"
      data-testid="ungradable-badge"
      title={`Ungradable photograph: ${reason}`}
      aria-label={`ungradable photograph: ${reason}`}
    >
      ungradable
    </span>
  );
}
