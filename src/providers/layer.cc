// Placeholder so the layer library is never empty; remove once the layer has sources.
