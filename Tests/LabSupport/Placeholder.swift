// lab support
