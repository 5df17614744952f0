export function Webhooks(_: { id?: string }) {
  return <h1>Webhooks</h1>;
}
