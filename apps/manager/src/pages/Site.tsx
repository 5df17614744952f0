export function Site(_: { id?: string }) {
  return <h1>Site</h1>;
}
