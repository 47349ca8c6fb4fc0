// A model value already written as its wire text (by this codec, from data this service wrote): what serves it can
// send the text as it is instead of decoding it into objects only to write the same text again.
import type { ModelName } from './registry.js';

export class WireText<M extends ModelName = ModelName> {
  constructor(
    /** The model the text is a value of. */
    readonly model: M,
    /** The value's wire JSON text, exactly what `stringifyModel(model, value)` writes. */
    readonly text: string,
  ) {}
}
