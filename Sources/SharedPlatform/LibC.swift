// The platform's C library under one name. This is the only file that asks which platform it is on;
// every other file imports `SharedPlatform` for POSIX calls.
#if canImport(Glibc)
    @_exported public import Glibc
#elseif canImport(Musl)
    @_exported public import Musl
#elseif canImport(Darwin)
    @_exported public import Darwin
#endif
