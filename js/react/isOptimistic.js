// Whether a row carries our own optimistic write that the server has not confirmed:
// read from the `pending` ids the core sends with the view the row came from.
const idOf = (row) => (row !== null && typeof row === 'object' ? row.id : row);

/** isOptimistic(result, row or id): result is a useList / useGet result (or a view snapshot). */
export function isOptimistic(result, row) {
  const pending = result?.pending;
  if (!Array.isArray(pending)) throw new TypeError('isOptimistic(result, row): result must be a useList / useGet result (it has `pending`)');
  const id = idOf(row);
  if (id === null || id === undefined || pending.length === 0) return false;
  const key = String(id);
  return pending.some((p) => String(p) === key);
}
