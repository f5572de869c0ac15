import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('offers guest sign-in when app.signIn.providers says so', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test', signIn: { providers: ['guest'] } },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(
      await screen.findByText('Guest', {}, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText('GitHub')).not.toBeInTheDocument();
  }, 30_000);
});
