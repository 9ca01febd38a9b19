using System.Buffers;

namespace Layered.Journal.Tests;

[Trait("Area", "Journal")]
public sealed class JournalRecordCodecTests
{
    public static TheoryData<int> RecordIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < SampleRecords.All().Count; i++)
            data.Add(i);
        return data;
    }

    private static byte[] Encode(JournalRecord record, long sequence)
    {
        var writer = new ArrayBufferWriter<byte>();
        int written = JournalRecordCodec.Encode(record, sequence, writer);
        Assert.Equal(written, writer.WrittenCount);
        Assert.Equal(JournalRecordCodec.GetEncodedLength(record), written);
        return writer.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(RecordIndexes))]
    public void EveryKindRoundTrips(int index)
    {
        var record = SampleRecords.All()[index];
        byte[] encoded = Encode(record, 0x1122334455667788);

        var decoded = JournalRecordCodec.Decode(encoded, out long sequence);

        Assert.Equal(0x1122334455667788, sequence);
        SampleRecords.AssertSame(record, decoded);
        Assert.Equal(encoded, Encode(decoded, sequence));
    }

    [Fact]
    public void EveryKindHasADistinctKindByte()
    {
        var kinds = SampleRecords.All().GroupBy(r => r.GetType()).Select(g => Encode(g.First(), 1)[1]).ToArray();
        Assert.Equal(kinds.Length, kinds.Distinct().Count());
        Assert.Equal(12, kinds.Length);
    }

    [Fact]
    public void HeaderLayoutIsAsDocumented()
    {
        byte[] encoded = Encode(new CheckpointRecord(0x0102030405060708), 9);

        Assert.Equal(JournalRecordCodec.Overhead + 8, encoded.Length);
        Assert.Equal(JournalRecordCodec.FormatVersion, encoded[0]);
        Assert.Equal(12, encoded[1]);
        Assert.Equal(8u, BitConverter.ToUInt32(encoded, 4));
        Assert.Equal(9L, BitConverter.ToInt64(encoded, 8));
        Assert.Equal(0x0102030405060708L, BitConverter.ToInt64(encoded, 16));
        Assert.Equal(Crc32C.Compute(encoded.AsSpan(0, 24)), BitConverter.ToUInt32(encoded, 24));
    }

    [Fact]
    public void Crc32CMatchesTheStandardCheckValue()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, B.4).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Theory]
    [MemberData(nameof(RecordIndexes))]
    public void EverySingleBitFlipIsDetected(int index)
    {
        byte[] encoded = Encode(SampleRecords.All()[index], 42);
        // Every bit of small records; a spread of bits (always including header and trailer) of the big one.
        int step = encoded.Length > 512 ? 7 : 1;
        for (int bit = 0; bit < encoded.Length * 8; bit += step)
        {
            byte[] damaged = (byte[])encoded.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<JournalRecordFormatException>(() => JournalRecordCodec.Decode(damaged, out _));
        }
    }

    [Theory]
    [MemberData(nameof(RecordIndexes))]
    public void EveryTruncationIsDetected(int index)
    {
        byte[] encoded = Encode(SampleRecords.All()[index], 42);
        for (int length = 0; length < encoded.Length; length++)
            Assert.Throws<JournalRecordFormatException>(() => JournalRecordCodec.Decode(encoded.AsSpan(0, length), out _));
    }

    [Fact]
    public void RandomGarbageOnlyEverFailsAsAFormatError()
    {
        var random = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            if (garbage.Length >= 8 && random.Next(2) == 0)
            {
                // Make the outer framing plausible so the field decoders see the garbage too.
                garbage[0] = JournalRecordCodec.FormatVersion;
                garbage[1] = (byte)random.Next(1, 13);
                garbage[2] = garbage[3] = 0;
                BitConverter.TryWriteBytes(garbage.AsSpan(4), (uint)Math.Max(0, garbage.Length - JournalRecordCodec.Overhead));
                if (garbage.Length >= JournalRecordCodec.Overhead)
                    BitConverter.TryWriteBytes(garbage.AsSpan(garbage.Length - 4), Crc32C.Compute(garbage.AsSpan(0, garbage.Length - 4)));
            }
            try
            {
                JournalRecordCodec.Decode(garbage, out _);
            }
            catch (JournalRecordFormatException)
            {
            }
        }
    }

    [Fact]
    public void ValidFramingAroundBadFieldsIsRejectedWithTheFieldName()
    {
        // A Remove record whose node kind byte is 9, with a correct CRC: only the field check can catch it.
        byte[] encoded = Encode(new RemoveRecord(1, "p", NodeKind.File), 1);
        encoded[^5] = 9;
        BitConverter.TryWriteBytes(encoded.AsSpan(encoded.Length - 4), Crc32C.Compute(encoded.AsSpan(0, encoded.Length - 4)));

        var error = Assert.Throws<JournalRecordFormatException>(() => JournalRecordCodec.Decode(encoded, out _));
        Assert.Contains("Kind", error.Message);
    }

    [Fact]
    public void InvalidUtf8IsRejected()
    {
        byte[] encoded = Encode(new OrphanFreedRecord(1, "ab"), 1);
        encoded[16 + 16 + 4] = 0xff; // first byte of the path
        BitConverter.TryWriteBytes(encoded.AsSpan(encoded.Length - 4), Crc32C.Compute(encoded.AsSpan(0, encoded.Length - 4)));

        var error = Assert.Throws<JournalRecordFormatException>(() => JournalRecordCodec.Decode(encoded, out _));
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void NullFieldsAreRejectedAtEncode()
    {
        Assert.Throws<ArgumentNullException>(() => JournalRecordCodec.GetEncodedLength(new RemoveRecord(1, null!, NodeKind.File)));
        Assert.Throws<ArgumentNullException>(() => JournalRecordCodec.GetEncodedLength(new SetSecurityRecord(1, "p", null!)));
    }
}
