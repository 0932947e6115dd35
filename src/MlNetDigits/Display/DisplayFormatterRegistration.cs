namespace MlNetDigits.Display;

/// <summary>
/// One registered formatter: values assignable to <see cref="Type"/> are written as <see cref="MimeType"/> by
/// <see cref="Format"/>. A .NET Interactive extension forwards each one with
/// <c>Formatter.Register(r.Type, (value, writer) =&gt; writer.Write(r.Format(value)), r.MimeType)</c>.
/// </summary>
public sealed record DisplayFormatterRegistration(Type Type, string MimeType, Func<object, string> Format);
