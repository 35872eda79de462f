using System.Text;
using ShmMaps.Core.Hashing;
using ShmMaps.Keys;

namespace ShmMaps.Tests.Core;

public class XxHash3Tests
{
    /// <summary>Published by the xxHash project (README, xxhsum): XXH3-64 of "" and "abc" with seed 0.</summary>
    [Theory]
    [InlineData("", 0x2D06800538D394C2UL)]
    [InlineData("abc", 0x78AF5F94892F3950UL)]
    public void MatchesPublishedVectors(string text, ulong expected) =>
        Assert.Equal(expected, XxHash3.Hash(Encoding.ASCII.GetBytes(text)));

    /// <summary>
    /// Generated with the reference implementation (libxxhash 0.8.1, XXH3_64bits_withSeed) over the bytes
    /// (i * 31 + 7) mod 256: every length class (0, 1-3, 4-8, 9-16, 17-128, 129-240, long) and seeds.
    /// </summary>
    [Theory]
        [InlineData(0, 0x0000000000000000UL, 0x2D06800538D394C2UL)]
        [InlineData(1, 0x0000000000000000UL, 0x4C5CCA45D0F4811FUL)]
        [InlineData(2, 0x0000000000000000UL, 0xA7E250C97710FF27UL)]
        [InlineData(3, 0x0000000000000000UL, 0x15F7093B173D005CUL)]
        [InlineData(4, 0x0000000000000000UL, 0xDCA012F95811B6B9UL)]
        [InlineData(5, 0x0000000000000000UL, 0xB290CAFC7B254345UL)]
        [InlineData(7, 0x0000000000000000UL, 0x7561869C23DA3C1BUL)]
        [InlineData(8, 0x0000000000000000UL, 0xDEC6A9A43575982EUL)]
        [InlineData(9, 0x0000000000000000UL, 0xCBE393399F17FFBDUL)]
        [InlineData(15, 0x0000000000000000UL, 0x545E19990471DC37UL)]
        [InlineData(16, 0x0000000000000000UL, 0x7E484C18D74895D0UL)]
        [InlineData(17, 0x0000000000000000UL, 0x208BDE5EE2BED407UL)]
        [InlineData(31, 0x0000000000000000UL, 0xA937652B0119CA11UL)]
        [InlineData(32, 0x0000000000000000UL, 0x03DF0AC5255D1446UL)]
        [InlineData(33, 0x0000000000000000UL, 0x199A362122D71F46UL)]
        [InlineData(63, 0x0000000000000000UL, 0x76D4EEC1F092847FUL)]
        [InlineData(64, 0x0000000000000000UL, 0xDD30702AB46B3745UL)]
        [InlineData(65, 0x0000000000000000UL, 0xFAB36B851B94CE20UL)]
        [InlineData(96, 0x0000000000000000UL, 0xD245CD2541582982UL)]
        [InlineData(97, 0x0000000000000000UL, 0x60E3E1D0D43785B3UL)]
        [InlineData(127, 0x0000000000000000UL, 0xA915ED6396DB8CC0UL)]
        [InlineData(128, 0x0000000000000000UL, 0xF92B70EAA21A6288UL)]
        [InlineData(129, 0x0000000000000000UL, 0xF8F76713F2BB60FAUL)]
        [InlineData(160, 0x0000000000000000UL, 0xC90911FFCEF461E2UL)]
        [InlineData(200, 0x0000000000000000UL, 0x12FDB864685F344DUL)]
        [InlineData(239, 0x0000000000000000UL, 0xCAA9B7A588464745UL)]
        [InlineData(240, 0x0000000000000000UL, 0xCCC7375172C41F03UL)]
        [InlineData(241, 0x0000000000000000UL, 0x0B3B630948CE4A00UL)]
        [InlineData(255, 0x0000000000000000UL, 0x89932170686CDD9AUL)]
        [InlineData(256, 0x0000000000000000UL, 0xEC85B75BAFE6CA74UL)]
        [InlineData(300, 0x0000000000000000UL, 0xBAAD8E6A5F186CE6UL)]
        [InlineData(500, 0x0000000000000000UL, 0xE1E3CE93F69C5043UL)]
        [InlineData(1023, 0x0000000000000000UL, 0xF0D330CE2B3300FBUL)]
        [InlineData(1024, 0x0000000000000000UL, 0x23BC880EBF0D29C6UL)]
        [InlineData(1025, 0x0000000000000000UL, 0xC09FDFBC398C7D82UL)]
        [InlineData(2048, 0x0000000000000000UL, 0x19F6F9C987331373UL)]
        [InlineData(2049, 0x0000000000000000UL, 0x5045460F5D85C275UL)]
        [InlineData(4000, 0x0000000000000000UL, 0x9D5E1BE70BA5D851UL)]
        [InlineData(4999, 0x0000000000000000UL, 0x00710881668D48EBUL)]
        [InlineData(0, 0x9E3779B97F4A7C15UL, 0x602B0E2CD6662C8BUL)]
        [InlineData(1, 0x9E3779B97F4A7C15UL, 0x2F3ACD3805F81DE3UL)]
        [InlineData(2, 0x9E3779B97F4A7C15UL, 0xAE890DEB5EF9A522UL)]
        [InlineData(3, 0x9E3779B97F4A7C15UL, 0x079DD5D54D89480AUL)]
        [InlineData(4, 0x9E3779B97F4A7C15UL, 0x1A246E2EFB9C9B2EUL)]
        [InlineData(5, 0x9E3779B97F4A7C15UL, 0xF35F0DFBB65FE08FUL)]
        [InlineData(7, 0x9E3779B97F4A7C15UL, 0x09E5BEC831FA48C0UL)]
        [InlineData(8, 0x9E3779B97F4A7C15UL, 0x19EF7D3919108AFFUL)]
        [InlineData(9, 0x9E3779B97F4A7C15UL, 0x9C98D3E24DC54D34UL)]
        [InlineData(15, 0x9E3779B97F4A7C15UL, 0x9A393060BCE10286UL)]
        [InlineData(16, 0x9E3779B97F4A7C15UL, 0xA106510078B0A252UL)]
        [InlineData(17, 0x9E3779B97F4A7C15UL, 0x0B2CAF8BF9648EFFUL)]
        [InlineData(31, 0x9E3779B97F4A7C15UL, 0xE425437C705FBCA4UL)]
        [InlineData(32, 0x9E3779B97F4A7C15UL, 0x3ACBFDFB7E9F9668UL)]
        [InlineData(33, 0x9E3779B97F4A7C15UL, 0x913B37D6B8DF6D23UL)]
        [InlineData(63, 0x9E3779B97F4A7C15UL, 0x46497A4A99AD609FUL)]
        [InlineData(64, 0x9E3779B97F4A7C15UL, 0x4490C19C7048A1A1UL)]
        [InlineData(65, 0x9E3779B97F4A7C15UL, 0xE6C2315AB5F5C409UL)]
        [InlineData(96, 0x9E3779B97F4A7C15UL, 0xB0D250DF3FAB2308UL)]
        [InlineData(97, 0x9E3779B97F4A7C15UL, 0x9E127E846B5494C9UL)]
        [InlineData(127, 0x9E3779B97F4A7C15UL, 0x30B3B03D7D3A07C1UL)]
        [InlineData(128, 0x9E3779B97F4A7C15UL, 0x95425530BEB89FE8UL)]
        [InlineData(129, 0x9E3779B97F4A7C15UL, 0x29FA850B97ED9666UL)]
        [InlineData(160, 0x9E3779B97F4A7C15UL, 0xBE673734BBE06200UL)]
        [InlineData(200, 0x9E3779B97F4A7C15UL, 0x49DFF623641B01B4UL)]
        [InlineData(239, 0x9E3779B97F4A7C15UL, 0x49A8E9695EF4AB09UL)]
        [InlineData(240, 0x9E3779B97F4A7C15UL, 0x2D882E7899FF64CCUL)]
        [InlineData(241, 0x9E3779B97F4A7C15UL, 0x422E82E8913E49E0UL)]
        [InlineData(255, 0x9E3779B97F4A7C15UL, 0x8F2F859CE5068DDFUL)]
        [InlineData(256, 0x9E3779B97F4A7C15UL, 0xB4DBE810E81C3D97UL)]
        [InlineData(300, 0x9E3779B97F4A7C15UL, 0x67EC12D025965570UL)]
        [InlineData(500, 0x9E3779B97F4A7C15UL, 0x13ABF5083C0F4474UL)]
        [InlineData(1023, 0x9E3779B97F4A7C15UL, 0x642B8B12A22CAC34UL)]
        [InlineData(1024, 0x9E3779B97F4A7C15UL, 0x7E249ADC60E1F9B4UL)]
        [InlineData(1025, 0x9E3779B97F4A7C15UL, 0x16CFE055154FF1DDUL)]
        [InlineData(2048, 0x9E3779B97F4A7C15UL, 0x060600A6317839F9UL)]
        [InlineData(2049, 0x9E3779B97F4A7C15UL, 0x502D2580F564BA88UL)]
        [InlineData(4000, 0x9E3779B97F4A7C15UL, 0x8AD2D5A4AEA531EEUL)]
        [InlineData(4999, 0x9E3779B97F4A7C15UL, 0xFC5DC94BED0A8103UL)]
        [InlineData(0, 0x000000000000002AUL, 0xB029411FF43D84D2UL)]
        [InlineData(1, 0x000000000000002AUL, 0xC72384329881F542UL)]
        [InlineData(2, 0x000000000000002AUL, 0xED2E7515375A990CUL)]
        [InlineData(3, 0x000000000000002AUL, 0x0322C472F9DD3C8AUL)]
        [InlineData(4, 0x000000000000002AUL, 0x859B7FF8D1723AA1UL)]
        [InlineData(5, 0x000000000000002AUL, 0xA8484B6F2A914449UL)]
        [InlineData(7, 0x000000000000002AUL, 0x6C5B5E17C0E5E559UL)]
        [InlineData(8, 0x000000000000002AUL, 0xB18293E9A9982B58UL)]
        [InlineData(9, 0x000000000000002AUL, 0x0131443739131D68UL)]
        [InlineData(15, 0x000000000000002AUL, 0x4E2C553CCBD09187UL)]
        [InlineData(16, 0x000000000000002AUL, 0x0126FE5707CA8F2BUL)]
        [InlineData(17, 0x000000000000002AUL, 0x7C41A57AE29003DAUL)]
        [InlineData(31, 0x000000000000002AUL, 0x849E8B1D3A1F1A01UL)]
        [InlineData(32, 0x000000000000002AUL, 0x2069E18C63BC8EB9UL)]
        [InlineData(33, 0x000000000000002AUL, 0x734E7E91898F6405UL)]
        [InlineData(63, 0x000000000000002AUL, 0xF2BC42344E4CAEF7UL)]
        [InlineData(64, 0x000000000000002AUL, 0xE94502D7ED30CC44UL)]
        [InlineData(65, 0x000000000000002AUL, 0xBE534968729FF849UL)]
        [InlineData(96, 0x000000000000002AUL, 0x64333DA0AF0F7B45UL)]
        [InlineData(97, 0x000000000000002AUL, 0xD8D72381192F3746UL)]
        [InlineData(127, 0x000000000000002AUL, 0xE1CFF8778C965E3FUL)]
        [InlineData(128, 0x000000000000002AUL, 0x9A3B44E5F1D705D8UL)]
        [InlineData(129, 0x000000000000002AUL, 0xB672F12EED8CD6B0UL)]
        [InlineData(160, 0x000000000000002AUL, 0xB362090C2DCF6F2FUL)]
        [InlineData(200, 0x000000000000002AUL, 0x9B4D9E4B4078C30FUL)]
        [InlineData(239, 0x000000000000002AUL, 0x7C65675EA2F0C65AUL)]
        [InlineData(240, 0x000000000000002AUL, 0x4B05BE6354F2E1C7UL)]
        [InlineData(241, 0x000000000000002AUL, 0x015F3BB61C188B1AUL)]
        [InlineData(255, 0x000000000000002AUL, 0x4E754BCA2C333AF2UL)]
        [InlineData(256, 0x000000000000002AUL, 0xA5515062B0A1D1D1UL)]
        [InlineData(300, 0x000000000000002AUL, 0x8C6B55A95E1DB793UL)]
        [InlineData(500, 0x000000000000002AUL, 0x177B8D369447171CUL)]
        [InlineData(1023, 0x000000000000002AUL, 0xA6F44586DF408C60UL)]
        [InlineData(1024, 0x000000000000002AUL, 0x7123704382C38BC0UL)]
        [InlineData(1025, 0x000000000000002AUL, 0x094359FF0BF72151UL)]
        [InlineData(2048, 0x000000000000002AUL, 0xAC5ACF5B12FC78A6UL)]
        [InlineData(2049, 0x000000000000002AUL, 0x4AA2BE061B5E9C85UL)]
        [InlineData(4000, 0x000000000000002AUL, 0xA8122DD2F945911CUL)]
        [InlineData(4999, 0x000000000000002AUL, 0x1043E5A7D3FBD8B7UL)]
    public void MatchesReferenceImplementation(int length, ulong seed, ulong expected)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)((i * 31) + 7);
        }
        Assert.Equal(expected, XxHash3.Hash(data, seed));
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(0x0123456789ABCDEFUL, 0UL)]
    [InlineData(0xFFFFFFFFFFFFFFFFUL, 0x9E3779B97F4A7C15UL)]
    [InlineData(42UL, 42UL)]
    public void EightByteFastPathEqualsTheGeneralHash(ulong key, ulong seed) =>
        Assert.Equal(XxHash3.Hash(BitConverter.GetBytes(key), seed), XxHash3.Hash8(key, seed));

    [Fact]
    public void KeyHashUsesTheKeyBytes()
    {
        var key = new FixedString32("hello");
        byte[] bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<FixedString32>(in key)).ToArray();
        Assert.Equal(XxHash3.Hash(bytes, 7), KeyBytes<FixedString32>.Hash(key, 7));
        Assert.Equal(XxHash3.Hash(BitConverter.GetBytes(99L), 7), KeyBytes<long>.Hash(99L, 7));
    }

    [Fact]
    public void HeadTailFormEqualsTheGeneralHashForEveryLengthItTakes()
    {
        var random = new Random(3);
        for (int length = ShmMaps.Folklore.RegisterKey.MinLength; length <= ShmMaps.Folklore.RegisterKey.MaxLength; length++)
        {
            foreach (ulong seed in new ulong[] { 0, 7, 0x9E3779B97F4A7C15UL })
            {
                var chars = new char[length];
                for (int i = 0; i < length; i++)
                {
                    chars[i] = (char)random.Next(32, 127);
                }
                string key = new(chars);
                Assert.True(ShmMaps.Folklore.RegisterKey.TryLoad(key, out var ascii));
                Assert.Equal(XxHash3.Hash(Encoding.ASCII.GetBytes(key), seed), ascii.Hash(seed));
                // UTF-8 bytes of any kind, loaded as they are.
                byte[] bytes = new byte[length];
                random.NextBytes(bytes);
                Assert.True(ShmMaps.Folklore.RegisterKey.TryLoad(bytes, out var loaded));
                Assert.Equal(XxHash3.Hash(bytes, seed), loaded.Hash(seed));
            }
        }
        Assert.False(ShmMaps.Folklore.RegisterKey.TryLoad("seven77", out _));
        Assert.False(ShmMaps.Folklore.RegisterKey.TryLoad(new string('x', 33), out _));
        Assert.False(ShmMaps.Folklore.RegisterKey.TryLoad("eight-and-é", out _));
        Assert.False(ShmMaps.Folklore.RegisterKey.TryLoad((string?)null, out _));
        Assert.False(ShmMaps.Folklore.RegisterKey.TryLoad(new byte[7], out _));
        Assert.False(ShmMaps.Folklore.RegisterKey.TryLoad(new byte[33], out _));
    }
}
