/*
 * Copyright 2026 The gr-sentinel authors.
 *
 * This file is part of gr-sentinel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef INCLUDED_SENTINEL_BIT_PACKING_H
#define INCLUDED_SENTINEL_BIT_PACKING_H

#include <array>
#include <cstdint>
#include <cstring>

// Conversions between 64-bit words (first bit in the MSB) and GNU Radio's
// unpacked (one bit per byte, LSB used) and packed (MSB first) byte streams.
// The word-at-a-time loads assume a little-endian host.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host required");

namespace gr {
namespace sentinel {
namespace bits {

//! Eight unpacked bytes -> one byte, the first input byte in the MSB.
inline uint8_t pack8(const uint8_t* in)
{
    uint64_t x;
    std::memcpy(&x, in, 8);
    x &= 0x0101010101010101ULL;
    // Each byte's bit lands on its own output bit; no two partial products collide.
    return static_cast<uint8_t>((x * 0x8040201008040201ULL) >> 56);
}

//! 64 unpacked bytes -> word.
inline uint64_t pack64(const uint8_t* in)
{
    uint64_t w = 0;
    for (int i = 0; i < 8; i++) {
        w = (w << 8) | pack8(in + 8 * i);
    }
    return w;
}

//! 1..64 unpacked bytes -> the low \p count bits of a word, first bit highest.
inline uint64_t pack_partial(const uint8_t* in, unsigned count)
{
    uint64_t w = 0;
    for (unsigned i = 0; i < count; i++) {
        w = (w << 1) | (in[i] & 1);
    }
    return w;
}

//! 8 packed bytes -> word (big-endian).
inline uint64_t load_be64(const uint8_t* in)
{
    uint64_t x;
    std::memcpy(&x, in, 8);
    return __builtin_bswap64(x);
}

inline void store_be64(uint8_t* out, uint64_t w)
{
    w = __builtin_bswap64(w);
    std::memcpy(out, &w, 8);
}

//! Byte value -> eight unpacked bytes, MSB first, as one little-endian word.
inline const std::array<uint64_t, 256>& unpack_table()
{
    static const std::array<uint64_t, 256> table = [] {
        std::array<uint64_t, 256> t{};
        for (unsigned v = 0; v < 256; v++) {
            for (unsigned j = 0; j < 8; j++) {
                t[v] |= uint64_t((v >> (7 - j)) & 1) << (8 * j);
            }
        }
        return t;
    }();
    return table;
}

//! Word -> 64 unpacked bytes.
inline void unpack64(uint8_t* out, uint64_t w)
{
    const auto& table = unpack_table();
    for (int i = 0; i < 8; i++) {
        const uint64_t bytes = table[(w >> (56 - 8 * i)) & 0xff];
        std::memcpy(out + 8 * i, &bytes, 8);
    }
}

} // namespace bits
} // namespace sentinel
} // namespace gr

#endif /* INCLUDED_SENTINEL_BIT_PACKING_H */
