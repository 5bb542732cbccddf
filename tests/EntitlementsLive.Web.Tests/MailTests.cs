using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using EntitlementsLive.Domain;

namespace EntitlementsLive.Web.Tests;

/// <summary>With Mail:Host set, invitation and reset links go out by SMTP (to a local receiver in this test).</summary>
[Collection(AppCollection.Name)]
public sealed class MailTests : IDisposable
{
    private readonly SmtpReceiver _smtp = new();
    private readonly MailedApp _app;

    public MailTests() => _app = new MailedApp(_smtp.Port);

    public void Dispose()
    {
        _app.Dispose();
        _smtp.Dispose();
    }

    [Fact]
    public async Task Invitation_IsMailed_WithItsLink()
    {
        var (api, orgId, _) = await _app.ApiAdminOf(subscriptions: 1);

        var response = await api.PostAsJsonAsync($"/api/orgs/{orgId}/invitations", new { email = "mailed@customer.example", role = "EntitlementManager" });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var mail = await _smtp.Next("mailed@customer.example");

        Assert.True(created.GetProperty("emailed").GetBoolean());
        Assert.Contains("RCPT TO:<mailed@customer.example>", mail, StringComparison.Ordinal);
        Assert.Contains(created.GetProperty("acceptUrl").GetString()!, mail.Replace("=\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SelfServiceReset_MailsALink_OnlyToAnExistingAccount_AndAnswersTheSameEither()
    {
        using var anonymous = _app.CreateClient();

        var unknown = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new { email = "nobody@nowhere.example" });
        var known = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new { email = "admin@globex.test" });
        var mail = await _smtp.Next("admin@globex.test");

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (unknown.StatusCode, known.StatusCode));
        Assert.Contains("RCPT TO:<admin@globex.test>", mail, StringComparison.Ordinal);
        Assert.Contains("/Account/Accept?token=", mail.Replace("=\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(1, await _app.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Invitations, i => i.Purpose == InvitationPurpose.PasswordReset)));
    }

    private sealed class MailedApp(int port) : AppFactory
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Security"] = "None",
            ["Jobs:Recurring"] = "false",
        };
    }

    /// <summary>Just enough SMTP to receive messages on loopback; each whole conversation is one item.</summary>
    internal sealed class SmtpReceiver : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Channel<string> _mails = Channel.CreateUnbounded<string>();
        private readonly CancellationTokenSource _stop = new();

        public SmtpReceiver()
        {
            _listener.Start();
            _ = Task.Run(Accept);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private readonly List<string> _others = [];

        /// <summary>The next mail to <paramref name="recipient"/> (others are kept for their own readers).</summary>
        public async Task<string> Next(string recipient, int timeoutSeconds = 30)
        {
            var rcpt = "RCPT TO:<" + recipient + ">";
            lock (_others)
            {
                var kept = _others.FindIndex(m => m.Contains(rcpt, StringComparison.Ordinal));
                if (kept >= 0)
                {
                    var found = _others[kept];
                    _others.RemoveAt(kept);
                    return found;
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            while (true)
            {
                var mail = await _mails.Reader.ReadAsync(timeout.Token);
                if (mail.Contains(rcpt, StringComparison.Ordinal))
                {
                    return mail;
                }

                lock (_others)
                {
                    _others.Add(mail);
                }
            }
        }

        /// <summary>Every mail to <paramref name="recipient"/> received so far, without waiting.</summary>
        public int Count(string recipient)
        {
            var rcpt = "RCPT TO:<" + recipient + ">";
            while (_mails.Reader.TryRead(out var mail))
            {
                lock (_others)
                {
                    _others.Add(mail);
                }
            }

            lock (_others)
            {
                return _others.Count(m => m.Contains(rcpt, StringComparison.Ordinal));
            }
        }

        private async Task Accept()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                var conversation = new StringBuilder();
                await writer.WriteLineAsync("220 localhost test receiver");
                var inData = false;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    conversation.Append(line).Append("\r\n");
                    if (inData)
                    {
                        if (line == ".")
                        {
                            inData = false;
                            await writer.WriteLineAsync("250 queued");
                        }

                        continue;
                    }

                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    if (verb is "EHLO" or "HELO")
                    {
                        await writer.WriteLineAsync("250 localhost");
                    }
                    else if (verb == "DATA")
                    {
                        inData = true;
                        await writer.WriteLineAsync("354 go ahead");
                    }
                    else if (verb == "QUIT")
                    {
                        await writer.WriteLineAsync("221 bye");
                        break;
                    }
                    else
                    {
                        await writer.WriteLineAsync("250 ok");
                    }
                }

                await _mails.Writer.WriteAsync(conversation.ToString());
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
