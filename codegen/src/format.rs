//! Turns emitted tokens into the final file text: prettyplease formatting
//! and the `@generated` header. Deterministic: the same tokens always give
//! the same bytes.

use proc_macro2::TokenStream;

/// Formats `tokens` as a Rust file under `header` (comment lines without the
/// `// `). Fails only if the emitter produced tokens that are not a file,
/// which is a bug in the generator.
pub(crate) fn format_file(tokens: TokenStream, header: &[String]) -> Result<String, syn::Error> {
    let file: syn::File = syn::parse2(tokens)?;
    let mut text = String::new();
    for line in header {
        text.push_str("// ");
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&prettyplease::unparse(&file));
    Ok(text)
}
