using System.Net;
using System.Net.Http.Headers;
using MlNetDigits.Web.Tests.Fixtures;
using static MlNetDigits.Web.Tests.Api.ApiClient;

namespace MlNetDigits.Web.Tests.Api;

/// <summary>The dataset browser's endpoints: paging, digit filter, images, the misclassified view, and bad parameters.</summary>
public sealed class DatasetApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task Dataset_SaysItIsTheSampleWithItsCounts()
    {
        using var client = factory.CreateClient();

        var (status, body, _) = await GetAsync(client, "/api/dataset");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("sample", body.GetProperty("name").GetString());
        var splits = body.GetProperty("splits").EnumerateArray().ToArray();
        Assert.Equal([2000, 1000], splits.Select(s => s.GetProperty("count").GetInt32()));
        Assert.All(splits[1].GetProperty("perDigit").EnumerateArray(), c => Assert.Equal(100, c.GetInt32()));
    }

    [Fact]
    public async Task Page_GivesOneHundredImagesInFileOrder()
    {
        using var client = factory.CreateClient();

        var (_, first, _) = await GetAsync(client, "/api/dataset/train");
        var (_, last, _) = await GetAsync(client, "/api/dataset/train?page=20");

        Assert.Equal(1, first.GetProperty("page").GetInt32());
        Assert.Equal(20, first.GetProperty("pageCount").GetInt32());
        Assert.Equal(Enumerable.Range(0, 100), first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("index").GetInt32()));
        Assert.Equal(Enumerable.Range(1900, 100), last.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task Page_FiltersByDigit()
    {
        using var client = factory.CreateClient();

        var (_, page2, _) = await GetAsync(client, "/api/dataset/test?digit=3&page=1");

        Assert.Equal(100, page2.GetProperty("total").GetInt32());
        Assert.Equal(1, page2.GetProperty("pageCount").GetInt32());
        var items = page2.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(100, items.Length);
        Assert.All(items, i => Assert.Equal(3, i.GetProperty("label").GetInt32()));
        Assert.All(items, i => Assert.Equal(3, SampleDigits.Label(i.GetProperty("index").GetInt32())));
    }

    [Theory]
    [InlineData("/api/dataset/train?page=21", HttpStatusCode.NotFound, "Page 21 does not exist")]
    [InlineData("/api/dataset/train?digit=3&page=3", HttpStatusCode.NotFound, "2 pages")]
    [InlineData("/api/dataset/train?page=0", HttpStatusCode.BadRequest, "from 1")]
    [InlineData("/api/dataset/train?page=-1", HttpStatusCode.BadRequest, "from 1")]
    [InlineData("/api/dataset/train?page=abc", HttpStatusCode.BadRequest, "from 1")]
    [InlineData("/api/dataset/train?page=99999999999999", HttpStatusCode.BadRequest, "from 1")]
    [InlineData("/api/dataset/train?digit=10", HttpStatusCode.BadRequest, "0 to 9")]
    [InlineData("/api/dataset/train?digit=x", HttpStatusCode.BadRequest, "0 to 9")]
    [InlineData("/api/dataset/validation", HttpStatusCode.NotFound, "'train' or 'test'")]
    [InlineData("/api/dataset/..%2F..%2Fetc", HttpStatusCode.NotFound, "'train' or 'test'")]
    [InlineData("/api/dataset/test/1000.png", HttpStatusCode.NotFound, "0 to 999")]
    [InlineData("/api/dataset/test/-1.png", HttpStatusCode.NotFound, "0 to 999")]
    [InlineData("/api/dataset/test/..%2F..%2Fetc%2Fpasswd.png", HttpStatusCode.NotFound, "0 to 999")]
    [InlineData("/api/dataset/..%2Ft10k-images-idx3-ubyte/1.png", HttpStatusCode.NotFound, "'train' or 'test'")]
    [InlineData("/api/misclassified?model=..%2Fsecret", HttpStatusCode.NotFound, "'cnn', 'sdca'")]
    [InlineData("/api/misclassified?digit=12", HttpStatusCode.BadRequest, "0 to 9")]
    public async Task BadPagesDigitsSplitsAndIndices_AreProblemsNotErrors(string url, HttpStatusCode status, string expectedInDetail)
    {
        using var client = factory.CreateClient();

        Assert.Contains(expectedInDetail, AssertProblem(await GetAsync(client, url), status));
    }

    [Fact]
    public async Task Image_IsTheDigitAsAPngWithCachingHeaders()
    {
        using var client = factory.CreateClient();
        var index = SampleDigits.FirstOf(9);

        using var response = await client.GetAsync($"/api/dataset/test/{index}.png");
        var png = await response.Content.ReadAsByteArrayAsync();
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/dataset/test/{index}.png");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var revalidated = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromDays(1), response.Headers.CacheControl?.MaxAge);
        Assert.Equal(SampleDigits.Pixels(index), ImageCodec.Decode(png).ToBytes());
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Fact]
    public async Task Misclassified_ListsExactlyTheTestImagesTheModelGetsWrong()
    {
        using var client = factory.CreateClient();
        var body = await ReadyMisclassified(client, "/api/misclassified?model=sdca");

        using var sdca = TestModels.LoadClassifier(TestModels.Second);
        var expected = Enumerable.Range(0, SampleDigits.Count)
            .Select(i => (Index: i, Predicted: sdca.Classify28x28(SampleDigits.Pixels(i)).Best.ClassIndex))
            .Where(p => p.Predicted != SampleDigits.Label(p.Index)).ToArray();
        Assert.Equal(1000, body.GetProperty("tested").GetInt32());
        Assert.Equal(expected.Length, body.GetProperty("misclassified").GetInt32());
        var items = body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(expected.Take(100).Select(e => e.Index), items.Select(i => i.GetProperty("index").GetInt32()));
        Assert.Equal(expected.Take(100).Select(e => e.Predicted), items.Select(i => i.GetProperty("predicted").GetInt32()));
        Assert.All(items, i => Assert.NotEqual(i.GetProperty("label").GetInt32(), i.GetProperty("predicted").GetInt32()));
        Assert.All(items, i => Assert.Equal(10, i.GetProperty("probabilities").GetArrayLength()));
    }

    [Fact]
    public async Task Misclassified_FiltersByTrueDigitAndRefusesImpossiblePages()
    {
        using var client = factory.CreateClient();
        var body = await ReadyMisclassified(client, "/api/misclassified?model=sdca&digit=8");
        var beyond = body.GetProperty("pageCount").GetInt32() + 1;

        Assert.All(body.GetProperty("items").EnumerateArray(), i => Assert.Equal(8, i.GetProperty("label").GetInt32()));
        AssertProblem(await GetAsync(client, $"/api/misclassified?model=sdca&digit=8&page={beyond}"), HttpStatusCode.NotFound);
    }

    private static async Task<System.Text.Json.JsonElement> ReadyMisclassified(HttpClient client, string url)
    {
        for (int attempt = 0; attempt < 300; attempt++)
        {
            var (status, body, _) = await GetAsync(client, url);
            Assert.Equal(HttpStatusCode.OK, status);
            if (body.GetProperty("status").GetString() == "ready")
                return body;
            await Task.Delay(100);
        }
        throw new TimeoutException("The test split was not scored within 30 s.");
    }
}
