using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace ShmMaps.Workload;

/// <summary>
/// A minimal Redis client for the peer: commands of binary-safe arguments written in RESP, replies read back, on one
/// TCP connection to loopback with Nagle off. Enough for GET, SET, INCRBY, FLUSHALL, INFO and pipelines of them.
/// </summary>
internal sealed class RespClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _out = new byte[1 << 16];
    private readonly byte[] _in = new byte[1 << 16];
    private int _outLength;
    private int _inStart;
    private int _inEnd;

    public RespClient(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            _socket.Connect("127.0.0.1", port);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new InvalidOperationException($"no Redis on 127.0.0.1:{port} ({e.SocketErrorCode}): start it with bench/peers.sh start", e);
        }
        _stream = new NetworkStream(_socket, ownsSocket: true);
    }

    /// <summary>Queues a command (sent by <see cref="Flush"/>).</summary>
    public void Command(ReadOnlySpan<byte> name, ReadOnlySpan<byte> first = default, ReadOnlySpan<byte> second = default, int arguments = 1,
        ReadOnlySpan<byte> third = default, ReadOnlySpan<byte> fourth = default)
    {
        Header((byte)'*', arguments);
        Bulk(name);
        if (arguments > 1)
        {
            Bulk(first);
        }
        if (arguments > 2)
        {
            Bulk(second);
        }
        if (arguments > 3)
        {
            Bulk(third);
        }
        if (arguments > 4)
        {
            Bulk(fourth);
        }
    }

    /// <summary>Sends the queued commands.</summary>
    public void Flush()
    {
        _stream.Write(_out, 0, _outLength);
        _outLength = 0;
    }

    /// <summary>Reads one reply; returns its first 8 bytes as a number for a bulk string, its value for an integer, 0 for nil or a status.</summary>
    public long Reply()
    {
        byte type = ReadByte();
        ReadOnlySpan<byte> line = ReadLine();
        switch (type)
        {
            case (byte)'+':
                return 0;
            case (byte)':':
                Utf8Parser.TryParse(line, out long number, out _);
                return number;
            case (byte)'$':
                Utf8Parser.TryParse(line, out int length, out _);
                if (length < 0)
                {
                    return 0;
                }
                Span<byte> head = stackalloc byte[8];
                long value = 0;
                for (int i = 0; i < length + 2; i++)
                {
                    byte b = ReadByte();
                    if (i < 8)
                    {
                        head[i] = b;
                    }
                }
                if (length >= 8)
                {
                    value = BitConverter.ToInt64(head);
                }
                return value;
            case (byte)'-':
                throw new InvalidOperationException("redis: " + Encoding.ASCII.GetString(line));
            default:
                throw new InvalidOperationException($"redis: unexpected reply type '{(char)type}'");
        }
    }

    /// <summary>Reads one bulk-string reply whole; null for nil.</summary>
    public byte[]? ReplyBytes()
    {
        byte type = ReadByte();
        ReadOnlySpan<byte> line = ReadLine();
        if (type == (byte)'-')
        {
            throw new InvalidOperationException("redis: " + Encoding.ASCII.GetString(line));
        }
        if (type != (byte)'$')
        {
            throw new InvalidOperationException($"redis: expected a bulk string, got '{(char)type}'");
        }
        Utf8Parser.TryParse(line, out int length, out _);
        if (length < 0)
        {
            return null;
        }
        byte[] value = new byte[length];
        for (int i = 0; i < length; i++)
        {
            value[i] = ReadByte();
        }
        ReadByte(); // \r
        ReadByte(); // \n
        return value;
    }

    /// <summary>Reads one bulk-string reply whole, as text (INFO).</summary>
    public string ReplyText()
    {
        byte type = ReadByte();
        ReadOnlySpan<byte> line = ReadLine();
        if (type != (byte)'$')
        {
            throw new InvalidOperationException($"redis: expected a bulk string, got '{(char)type}'");
        }
        Utf8Parser.TryParse(line, out int length, out _);
        byte[] text = new byte[length + 2];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = ReadByte();
        }
        return Encoding.ASCII.GetString(text, 0, length);
    }

    public void Dispose() => _stream.Dispose();

    private void Header(byte type, int count)
    {
        Ensure(16);
        _out[_outLength++] = type;
        Utf8Formatter.TryFormat(count, _out.AsSpan(_outLength), out int written);
        _outLength += written;
        _out[_outLength++] = (byte)'\r';
        _out[_outLength++] = (byte)'\n';
    }

    private void Bulk(ReadOnlySpan<byte> bytes)
    {
        Header((byte)'$', bytes.Length);
        Ensure(bytes.Length + 2);
        bytes.CopyTo(_out.AsSpan(_outLength));
        _outLength += bytes.Length;
        _out[_outLength++] = (byte)'\r';
        _out[_outLength++] = (byte)'\n';
    }

    private void Ensure(int bytes)
    {
        if (_outLength + bytes > _out.Length)
        {
            Flush();
        }
    }

    private byte ReadByte()
    {
        if (_inStart == _inEnd)
        {
            _inEnd = _stream.Read(_in, 0, _in.Length);
            _inStart = 0;
            if (_inEnd == 0)
            {
                throw new EndOfStreamException("redis closed the connection");
            }
        }
        return _in[_inStart++];
    }

    private ReadOnlySpan<byte> ReadLine()
    {
        var line = new List<byte>(16);
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\r')
            {
                ReadByte();
                return line.ToArray();
            }
            line.Add(b);
        }
    }
}
