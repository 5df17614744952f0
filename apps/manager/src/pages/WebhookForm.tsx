export function WebhookForm(_: { id?: string }) {
  return <h1>WebhookForm</h1>;
}
