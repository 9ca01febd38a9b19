using System.Text;

namespace Layered.WinFsp.Launcher;

/// <summary>
/// The launcher's credential handshake (winfsp.md §4.5): with Credentials set, the launcher writes the
/// secret to the instance's stdin as UTF-8 with no terminator, closes stdin, and waits up to 15 s for
/// the two bytes "OK" on stdout. Anything else counts as an authentication failure.
/// </summary>
public static class LauncherSecret
{
    /// <summary>Longest secret accepted, in UTF-8 bytes.</summary>
    public const int MaxSecretBytes = 1024;

    private static readonly byte[] Accepted = "OK"u8.ToArray();
    private static readonly byte[] Rejected = "KO"u8.ToArray();

    /// <summary>
    /// Reads the secret from <paramref name="input"/> to end of stream into <paramref name="destination"/>
    /// and returns its length. One trailing line break is dropped (a person piping a password by hand).
    /// On failure <paramref name="destination"/> is zeroed; the caller zeroes it after use.
    /// </summary>
    /// <exception cref="InvalidDataException">The secret is empty or longer than the destination.</exception>
    public static int Read(Stream input, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(input);
        int length = 0;
        while (true)
        {
            if (length == destination.Length)
            {
                // Full: anything more means the secret does not fit.
                if (input.ReadByte() < 0)
                {
                    break;
                }

                destination.Clear();
                throw new InvalidDataException($"The secret on standard input is longer than {destination.Length} bytes.");
            }

            int read = input.Read(destination[length..]);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > 0 && destination[length - 1] == (byte)'\n')
        {
            length--;
            if (length > 0 && destination[length - 1] == (byte)'\r')
            {
                length--;
            }
        }

        if (length == 0)
        {
            destination.Clear();
            throw new InvalidDataException("No secret arrived on standard input (the launcher record has Credentials set; start with launchctl startWithSecret or net use).");
        }

        return length;
    }

    /// <summary>Tells the launcher whether the secret opened the vault ("OK") or not ("KO").</summary>
    public static void Answer(Stream output, bool accepted)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(accepted ? Accepted : Rejected);
        output.Flush();
    }

    /// <summary>Decodes a secret's UTF-8 bytes into a caller-owned char buffer (no string is created).</summary>
    public static int DecodeUtf8(ReadOnlySpan<byte> secret, Span<char> destination) =>
        Encoding.UTF8.GetChars(secret, destination);
}
