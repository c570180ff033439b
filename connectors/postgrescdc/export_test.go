package postgrescdc

// SetChunkReadHook runs f between each incremental snapshot chunk's query
// and its high watermark (nil removes it); tests make changes inside the
// window with it.
func SetChunkReadHook(f func(table string, first, last []string)) { chunkRead = f }
