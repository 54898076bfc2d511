using Mnist.Web;

// The drawing page: `dotnet run --project samples/Mnist.Web -- --model PATH [--urls URL]`.
var app = DigitApp.Create(args);
app.Run();
