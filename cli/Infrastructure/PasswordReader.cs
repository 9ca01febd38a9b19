using System.Security.Cryptography;
using System.Text;

namespace Layered.Cli;

/// <summary>
/// Gets passwords the way issue #2 asks: from a password file (its first line), else from the terminal
/// without echo, else one line from standard input. Bytes are kept as typed (UTF-8) and every
/// intermediate buffer is zeroed.
/// </summary>
public sealed class PasswordReader
{
    /// <summary>Longest password accepted; a guard against reading a whole binary file or stream as one.</summary>
    public const int MaxLength = 4096;

    private readonly CliConsole _console;

    public PasswordReader(CliConsole console)
    {
        _console = console;
    }

    /// <summary>The first line of <paramref name="path"/> (without its line ending).</summary>
    public Password FromFile(string path, string optionName)
    {
        byte[] contents;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new IOException($"{optionName} {path}: file not found");
            if (info.Length > MaxLength * 4L)
                throw new UsageException($"{optionName} {path}: {info.Length} bytes is too large for a password file");
            contents = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{optionName} {path}: cannot be read: {e.Message}", e);
        }
        try
        {
            ReadOnlySpan<byte> line = FirstLine(contents);
            if (line.IsEmpty)
                throw new UsageException($"{optionName} {path}: the first line is empty; a password must not be empty");
            if (line.Length > MaxLength)
                throw new UsageException($"{optionName} {path}: the password is longer than {MaxLength} bytes");
            return new Password(line);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }

    /// <summary>Asks once: on the terminal without echo, else reads the next line of stdin.</summary>
    public Password Ask(string prompt)
    {
        if (!_console.InputIsTerminal)
            return ReadLineFromInput(prompt);
        using var echoOff = TerminalEcho.TurnOff();
        if (echoOff is null)
            return ReadFromTerminal(prompt);
        // Echo is off before the prompt appears; the terminal hands over the line when Enter is pressed.
        _console.Error.Write(prompt);
        _console.Error.Flush();
        try
        {
            return ReadLine(prompt, TerminalEcho.ReadByte);
        }
        finally
        {
            _console.Error.WriteLine();
        }
    }

    /// <summary>For a new password: on a terminal it is asked twice and must match; from stdin one line is read.</summary>
    public Password AskNew(string prompt, string repeatPrompt)
    {
        Password first = Ask(prompt);
        if (!_console.InputIsTerminal)
            return first;
        using Password second = Ask(repeatPrompt);
        if (first.SameAs(second))
            return first;
        first.Dispose();
        throw new UsageException("the passwords do not match");
    }

    private Password ReadLineFromInput(string prompt) => ReadLine(prompt, _console.Input.ReadByte);

    /// <summary>One line of bytes from <paramref name="readByte"/> (-1 at end of input), without its line ending.</summary>
    private static Password ReadLine(string prompt, Func<int> readByte)
    {
        byte[] buffer = GC.AllocateArray<byte>(MaxLength + 2, pinned: true);
        try
        {
            int length = 0;
            bool sawAny = false;
            while (true)
            {
                int b = readByte();
                if (b < 0)
                    break;
                sawAny = true;
                if (b == '\n')
                    break;
                if (length == buffer.Length)
                    throw new UsageException($"the password on standard input is longer than {MaxLength} bytes");
                buffer[length++] = (byte)b;
            }
            if (length > 0 && buffer[length - 1] == '\r')
                length--;
            if (!sawAny)
                throw new UsageException($"no password on standard input ({prompt.TrimEnd(' ', ':')}); pipe it in or use a password file option");
            if (length == 0)
                throw new UsageException("the password on standard input is empty; a password must not be empty");
            if (length > MaxLength)
                throw new UsageException($"the password on standard input is longer than {MaxLength} bytes");
            return new Password(buffer.AsSpan(0, length));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private Password ReadFromTerminal(string prompt)
    {
        char[] chars = GC.AllocateArray<char>(MaxLength, pinned: true);
        byte[] bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetMaxByteCount(MaxLength), pinned: true);
        try
        {
            _console.Error.Write(prompt);
            _console.Error.Flush();
            int length = 0;
            while (true)
            {
                ConsoleKeyInfo key = Console.ReadKey(intercept: true); // intercept: nothing is echoed
                if (key.Key == ConsoleKey.Enter)
                    break;
                if (key.Key == ConsoleKey.Backspace)
                {
                    if (length > 0)
                        chars[--length] = '\0';
                    continue;
                }
                if (key.KeyChar == '\0' || char.IsControl(key.KeyChar))
                    continue;
                if (length == chars.Length)
                    throw new UsageException($"the password is longer than {MaxLength} characters");
                chars[length++] = key.KeyChar;
            }
            _console.Error.WriteLine();
            if (length == 0)
                throw new UsageException("the password must not be empty");
            int byteCount = Encoding.UTF8.GetBytes(chars.AsSpan(0, length), bytes);
            return new Password(bytes.AsSpan(0, byteCount));
        }
        finally
        {
            Array.Clear(chars);
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> contents)
    {
        int newline = contents.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = newline >= 0 ? contents[..newline] : contents;
        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
    }
}
